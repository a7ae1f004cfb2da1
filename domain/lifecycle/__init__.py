"""The filing lifecycle: states, the one transition table and apply(), working-day deadlines, stage counters."""
