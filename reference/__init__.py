"""Reference solutions, one module per assignment: the single source of every solution cell."""
