"""Vehicle-of-interest lists: formats, validation, loading, and the match index."""
