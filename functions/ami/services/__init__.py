"""Use cases: what the service does, written against the ports (Protocols) of ports.py."""
