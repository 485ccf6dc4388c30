"""Per-area output synthesis for the mock engine: one module per area (``cluster.py``, ``database.py``…),
each may define ``EXTRA_OUTPUTS`` (type → function(name, inputs, region, seed) → outputs),
``ID_PREFIX`` (type → id prefix) and ``NAME_IS_ID`` (types whose id is their name)."""
