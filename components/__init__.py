"""The platform's Pulumi components: one ``ComponentResource`` per file, none reads ``pulumi.Config``."""
