def post_init_hook(env):
    """Backfill genealogy links from the manufacturing history already in the database."""
    env["stock.lot.link"]._link_productions()
    env["stock.lot.link"]._link_unbuilds()
    # stage and condition of the lots already in the database, a batch at a time
    env["stock.lot"]._refresh_all_lot_status()
