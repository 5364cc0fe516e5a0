"""Pages for staff, each area a module, all behind one login and role guard."""
