"""Domain code shared by the device and the sync server: models, rules, evidence analysis.

Pure: no network, no database session, no UI (see ARCHITECTURE.md).
"""
