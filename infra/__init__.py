"""Developer and deployment tooling: provisioning, templates, demo data."""
