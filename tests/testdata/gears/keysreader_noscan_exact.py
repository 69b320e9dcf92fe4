GB().map(lambda r: r['key'] + '=' + r['value']).run('nx:k*', noScan=True)
