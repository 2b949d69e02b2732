"""`anpr demo`: the whole 61-site network on one machine, on embedded defaults."""
