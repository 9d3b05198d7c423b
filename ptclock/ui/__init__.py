"""The window (PySide6): thin widgets that draw and forward intentions to the controller."""
