"""The per-type pricing rules, one module per area. Importing this package registers every rule in
:data:`tools.cost.model.PRICERS` (each module's ``@prices`` decorators run at import).

Where to add a rule: the module of the area the type belongs to (``database`` for RDS and Aurora,
``cache`` for ElastiCache, ...); a type with no charge of its own goes in :mod:`tools.cost.free`.
"""

from tools.cost.rules import (  # noqa: F401  (imported for their registrations)
    cache,
    compute,
    database,
    kubernetes,
    monitoring,
    network,
    security,
    storage,
)
