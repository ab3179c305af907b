"""Code that runs inside the student worker: framing, the request loop and public helpers.

Nothing in this package imports the rest of the kit; it is copied as ``kitworker``
into a private folder that the student process sees, and hides no secret.
"""
