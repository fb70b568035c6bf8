"""The sync model layer: push, pull, merge policies. Knows nothing of HTTP."""
