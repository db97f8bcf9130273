"""Tools for whoever deploys and operates the stack: launcher and pre-flight checks."""
