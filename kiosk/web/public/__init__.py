"""Pages for passers-by: the kiosk, the phone pages and the results wall."""
