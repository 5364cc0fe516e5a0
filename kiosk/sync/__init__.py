"""Kiosk nodes and central: devices, configuration down, answers up."""
