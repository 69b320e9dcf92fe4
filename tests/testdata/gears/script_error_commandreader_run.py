GB('CommandReader').run()
