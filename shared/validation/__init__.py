"""One validation engine, the same code on the device and on the server."""
