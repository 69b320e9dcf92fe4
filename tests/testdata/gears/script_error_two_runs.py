GB('ShardsIDReader').run()
GB('ShardsIDReader').run()
