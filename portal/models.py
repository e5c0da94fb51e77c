"""The portal app has no models of its own yet: roles (Membership) come with the workspace."""
