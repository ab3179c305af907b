"""Course kit for the PyTorch edition of Dive into Deep Learning: release, grade, report."""
