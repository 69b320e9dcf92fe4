GB().map(lambda r: r['value']).sort().run('srt:*')
