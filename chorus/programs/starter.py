"""The starter pack (I6): what a new program holds before the marketer touches it.

Each domain contributes its part here, explicitly (no signals): levels, badges, asks and
the rewards catalog, all in the five shipped languages. Every part is idempotent, so
running the pack twice adds nothing."""


def install_starter_pack(program) -> None:
    from chorus.campaigns.event_emails import install_event_invitation_template
    from chorus.campaigns.starter import install_starter_asks
    from chorus.insights.surveys import ensure_template
    from chorus.invitations.emails import install_invitation_template
    from chorus.notifications.defaults import install_default_templates
    from chorus.rewards.badges import install_default_badges
    from chorus.rewards.default_catalog import install_default_catalog
    from chorus.rewards.levels import install_default_levels

    install_default_levels(program)
    install_default_badges(program)
    install_starter_asks(program)
    install_default_catalog(program)
    install_default_templates(program)
    install_invitation_template(program)
    ensure_template(program)  # the NPS survey email
    install_event_invitation_template(program)
