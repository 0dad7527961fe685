def post_init_hook(env):
    """Backfill genealogy links from the manufacturing history already in the database."""
    env["stock.lot.link"]._link_productions()
    env["stock.lot.link"]._link_unbuilds()
