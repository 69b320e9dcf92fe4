GB('ShardsIDReader').run()
