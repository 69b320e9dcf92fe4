def show(r):
    value = r['value']
    if r['type'] == 'hash':
        value = sorted(value.items())
    return '%s %s %s' % (r['key'], r['type'], value)

GB().map(show).run('kv:*')
