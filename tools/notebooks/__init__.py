"""The prose and cells of the assignment notebooks, one module per assignment (see tools/build_notebooks.py)."""
