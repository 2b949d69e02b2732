"""Device profiles, one YAML file each; shipped inside the package and found through it."""
