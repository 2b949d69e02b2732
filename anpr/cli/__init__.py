"""The `anpr` command line. Subcommand modules import their heavy packages inside commands."""
