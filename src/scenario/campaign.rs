//! Campaigns: a scenario's chaos scheduled for a whole class, each vendor with its own draw.
