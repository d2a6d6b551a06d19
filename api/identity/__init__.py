"""Who the citizen is: verified sessions (`sessions`) and the ways to verify, among them the
login with INApas, the national identity (`inapas`)."""
