"""The starter pack (I6): what a new program holds before the marketer touches it.

Each domain contributes its part here, explicitly (no signals): default levels now;
asks, badges and the catalog as those domains land. Every part is idempotent, so running
the pack twice adds nothing."""


def install_starter_pack(program) -> None:
    from chorus.rewards.default_catalog import install_default_catalog
    from chorus.rewards.levels import install_default_levels

    install_default_levels(program)
    install_default_catalog(program)
