GB('StreamReader').run('stream')
