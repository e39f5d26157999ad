"""Running past one process: shards of a suite, a pool of remote browsers, many targets."""
