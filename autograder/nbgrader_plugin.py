def configure(c):
    """Placeholder: wired up in the engine commit."""
