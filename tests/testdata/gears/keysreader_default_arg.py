GB('KeysReader', 'da:*').map(lambda r: r['key']).run()
