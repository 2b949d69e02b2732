"""Accuracy and speed benchmarks. Each prints its figures and, where one exists, a baseline ratio."""
