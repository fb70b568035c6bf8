"""View-models: each screen's state and actions in plain Python (no Flet), unit-tested alone."""
