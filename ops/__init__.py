"""Operations scripts: the backup drill and the fault battery (`make backup-drill`,
`make chaos`). Not imported by the portal."""
