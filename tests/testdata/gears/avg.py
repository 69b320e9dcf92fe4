GB().map(lambda r: r['value']).avg().run('avg:*')
