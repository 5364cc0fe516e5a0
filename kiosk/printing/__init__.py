"""What is printed: posters, QR codes, logos and the bundled typefaces."""
