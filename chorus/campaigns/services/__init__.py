"""Campaign services, one module per part (asks: `asks`, `submissions`, `completions`,
`evidence`, `events`, `referrals`)."""
