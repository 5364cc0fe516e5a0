"""Kiosk and QR-code feedback service for public spaces (see README: How it is built)."""
