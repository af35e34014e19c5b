# SPDX-License-Identifier: GPL-2.0
"""The mails of the series (harness/lkml.py sender|security|mails).

The patches in patches/ carry the project's identity; the mails carry the
sender's: From:, Signed-off-by:, Message-Id. Every mail gets the series-wide
recipients, each patch the people and lists of its own trailers, the cover
letter all of them. The fix that lkml/security.txt names is also written on
its own for the kernel security team, with the reproducer inline.
"""
import datetime
import email.header
import email.utils
import os
import re

import datafile

STABLE = ('stable@vger.kernel.org', 'stable@kernel.org')
STABLE_PRIVATE = 'stable@kernel.org'
# addresses that are tags, not recipients (stable-kernel-rules.rst: "Cc:
# <stable+noautosel@kernel.org> # reason" keeps a fix out of AUTOSEL)
TAG_ONLY = ('stable+noautosel@kernel.org',)
# trailers whose people get the mail (what git send-email Cc's by default)
CC_TRAILER = re.compile(r'^(Cc|Signed-off-by|Acked-by|Reviewed-by|Tested-by|Reported-by|'
                        r'Suggested-by|Co-developed-by):\s*(.+)$', re.M | re.I)
ANY_TRAILER = re.compile(r'^[A-Za-z][A-Za-z-]*: \S')
SHORTLOG = re.compile(r'^\S.* \(\d+\):$', re.M)
HEADER_ORDER = ('Message-Id', 'In-Reply-To', 'References', 'From', 'Date', 'Subject', 'To', 'Cc',
                'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding')
# a line git apply could take for the start of a patch
DIFF_START = re.compile(r'^(diff |--- |\+\+\+ |Index: |@@ )', re.M)


class Refused(Exception):
    """No usable sender identity; the message says what is missing."""


# ---- data files: one entry a line, "KEY VALUE  # why"

def read_keyed(path):
    out = []
    for no, body, why in datafile.entries(path, '  #'):
        key, _, value = body.partition(' ')
        if not value.strip() or not why:
            raise SystemExit('%s:%d: expected "KEY VALUE  # why"' % (path, no))
        out.append((key, value.strip()))
    return out


def read_security(path):
    sec = {'subject': None, 'reproducer': None, 'to': [], 'embargo': False, 'forbid': []}
    for key, value in read_keyed(path):
        if key in ('to', 'forbid'):
            sec[key].append(value)
        elif key == 'embargo':
            sec[key] = value == 'yes'
        elif key in sec:
            sec[key] = value
        else:
            raise SystemExit('%s: unknown key "%s"' % (path, key))
    return sec


# ---- identities

def addr_of(ident):
    return email.utils.parseaddr(ident)[1].lower()


def same(a, b):
    return bool(a) and bool(b) and addr_of(a) == addr_of(b)


def resolve(lkml_from, sendemail_from, name, mail):
    """The sender and where it came from, in git send-email's order."""
    if lkml_from:
        return lkml_from, 'LKML_FROM'
    if sendemail_from:
        return sendemail_from, 'git config sendemail.from'
    if not name and not mail:
        raise Refused('no sender identity: LKML_FROM, git config sendemail.from and '
                      'git config user.name/user.email are all unset')
    if not mail:
        raise Refused('git config user.email is not set (user.name is "%s")' % name)
    if not name:
        raise Refused('git config user.name is not set (user.email is "%s")' % mail)
    return '%s <%s>' % (name, mail), 'git config user.name/user.email'


def placeholder(ident, rules, project):
    """Why IDENT cannot sign mails, or None."""
    name, addr = email.utils.parseaddr(ident)
    if project and same(ident, project):
        return 'the project\'s own identity (the From: of the patches in patches/), not a person\'s'
    domain = addr.lower().rsplit('@', 1)[-1]
    for kind, pat in rules:
        p = pat.lower()
        if kind == 'domain' and (domain == p or domain.endswith('.' + p)):
            return 'a placeholder address (domain %s)' % pat
        if kind == 'word' and p in addr.lower():
            return 'a placeholder address ("%s")' % pat
        if kind == 'name' and name.strip().lower() == p:
            return 'a placeholder name ("%s")' % pat
    if not name.strip() or not re.fullmatch(r'[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+', addr):
        return 'not of the form "Full Name <user@domain.tld>"'
    return None


HOW = """set the identity of the person who mails the series (its From: and
Signed-off-by:), one of:
  LKML_FROM='Full Name <you@your.domain>' make lkml
  git config sendemail.from 'Full Name <you@your.domain>'
  git config user.name 'Full Name'; git config user.email you@your.domain"""


def sender(lkml_from, sendemail_from, name, mail, rules, project):
    """The sender's identity, or Refused with what is wrong and how to set it."""
    try:
        ident, source = resolve(lkml_from, sendemail_from, name, mail)
    except Refused as e:
        raise Refused('%s\n%s' % (e, HOW))
    why = placeholder(ident, rules, project)
    if why:
        raise Refused('the sender "%s" (from %s) is %s\n%s' % (ident, source, why, HOW))
    n, a = email.utils.parseaddr(ident)
    return '%s <%s>' % (n, a)


# ---- a mail as git format-patch writes it

class Mail:
    def __init__(self, text):
        first, _, rest = text.partition('\n')
        if first.startswith('From '):
            self.sep = first
        else:
            self.sep, rest = 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001', text
        head, _, self.body = rest.partition('\n\n')
        self.headers = []
        for line in head.split('\n'):
            if line[:1] in (' ', '\t') and self.headers:
                self.headers[-1][1] += '\n' + line
            else:
                key, _, value = line.partition(':')
                self.headers.append([key, value.strip()])

    def get(self, key):
        for k, v in self.headers:
            if k.lower() == key.lower():
                text = str(email.header.make_header(email.header.decode_header(v)))
                return re.sub(r'\s+', ' ', text).strip()
        return None

    def raw(self, key):
        for k, v in self.headers:
            if k.lower() == key.lower():
                return v
        return None

    def set(self, key, value):
        self.headers = [h for h in self.headers if h[0].lower() != key.lower()]
        if value is not None:
            self.headers.append([key, value])

    def text(self):
        rank = {k.lower(): i for i, k in enumerate(HEADER_ORDER)}
        heads = sorted(self.headers, key=lambda h: rank.get(h[0].lower(), len(rank)))
        return '%s\n%s\n\n%s' % (self.sep, '\n'.join('%s: %s' % (k, v) for k, v in heads), self.body)

    def commit(self):
        return self.sep.split()[1] if len(self.sep.split()) > 1 else ''

    def summary(self):
        return re.sub(r'^\[[^]]*\]\s*', '', self.get('Subject') or '')

    def split(self):
        """(commit message, the rest from the "---" line on)."""
        i = self.body.find('\n---\n')
        if i < 0:
            return self.body, ''
        return self.body[:i + 1], self.body[i + 1:]


def header_addr(ident):
    name, addr = email.utils.parseaddr(ident)
    return email.utils.formataddr((name, addr), charset='utf-8')


def fold(addrs):
    return ',\n    '.join(header_addr(a) for a in addrs) if addrs else None


def without_comment(value):
    return re.sub(r'\s*#.*$', '', value).strip()


def trailer_people(message):
    """Addresses of the Cc: and *-by: trailers, comments ("# v6.11+") dropped."""
    out = []
    for _, value in CC_TRAILER.findall(message):
        for name, addr in email.utils.getaddresses([without_comment(value)]):
            if '@' in addr and addr.lower() not in TAG_ONLY:
                out.append(email.utils.formataddr((name, addr)) if name else addr)
    return out


def is_stable(ident):
    return addr_of(without_comment(ident)) in STABLE


def uniq(addrs, *exclude):
    seen = {addr_of(a) for group in exclude for a in group}
    out = []
    for a in addrs:
        if addr_of(a) not in seen:
            seen.add(addr_of(a))
            out.append(a)
    return out


# ---- rewriting

def set_identity(mail, sender, project, patch=True):
    """From: and Signed-off-by: of the sender instead of the project's; a
    patch by somebody else keeps its author in an in-body From: line."""
    author = mail.get('From') or ''
    message, rest = mail.split()
    if patch and author and not same(author, project) and not same(author, sender):
        message = 'From: %s\n\n%s' % (author, message)
    if patch:
        message = sign_off(message, sender, project)
    mail.body = message + rest
    mail.set('From', header_addr(sender))
    if not mail.body.isascii() and not mail.get('Content-Type'):
        mail.set('MIME-Version', '1.0')
        mail.set('Content-Type', 'text/plain; charset=UTF-8')
        mail.set('Content-Transfer-Encoding', '8bit')


def sign_off(message, sender, project):
    sob = 'Signed-off-by: %s' % sender
    lines, done = [], False
    for line in message.split('\n'):
        m = re.match(r'^Signed-off-by:\s*(.+)$', line, re.I)
        if m and (same(m.group(1), project) or same(m.group(1), sender)):
            if not done:
                lines.append(sob)
            done = True
            continue
        lines.append(line)
    message = '\n'.join(lines)
    if done:
        return message
    body = message.rstrip('\n')
    last = body.rsplit('\n', 1)[-1]
    return '%s%s%s\n' % (body, '\n' if ANY_TRAILER.match(last) else '\n\n', sob)


def shortlog_author(body, sender, project):
    """The cover letter's "Project Name (10):" shortlog heading, in the sender's name."""
    old = email.utils.parseaddr(project)[0]
    new = email.utils.parseaddr(sender)[0]
    if not old:
        return body
    return re.sub(r'^%s( \(\d+\):)$' % re.escape(old), lambda m: new + m.group(1), body, flags=re.M)


def private_stable(message):
    """Cc: stable@vger.kernel.org -> Cc: stable@kernel.org (stable-kernel-rules.rst:
    for an unpublished vulnerability; that address delivers nowhere)."""
    return re.sub(r'^(Cc:\s*)stable@vger\.kernel\.org', r'\1' + STABLE_PRIVATE, message,
                  flags=re.M | re.I)


def thread(mails, sender, t0):
    """Message-Ids in the sender's name, the patches in reply to the first
    mail, dates one second apart in series order (as git send-email does)."""
    addr = addr_of(sender)
    root = None
    for i, m in enumerate(mails):
        tag = m.commit() if i else 'cover'
        if not tag or set(tag) == {'0'}:
            tag = str(i)
        mid = '<%s.%d.git.%s>' % (tag, t0, addr)
        m.set('Message-Id', mid)
        m.set('Date', rfc2822(t0 + i))
        m.set('In-Reply-To', root)
        m.set('References', root)
        root = root or mid


def rfc2822(t):
    return email.utils.format_datetime(datetime.datetime.fromtimestamp(t, datetime.timezone.utc))


# ---- the series and the security mail

def find_fix(mails, sec):
    if not sec['subject']:
        return None
    for m in mails:
        if m.summary() == sec['subject']:
            return m
    return None


def public_series(mails, sender, project, to, cc, sec, t0):
    """Rewrite MAILS (the cover letter first) in place for the lists."""
    fix = find_fix(mails, sec)
    embargo = fix is not None and sec['embargo']
    every, me = [], [sender]
    for m in mails[1:]:
        message = m.split()[0]
        if embargo and m is fix:
            m.body = private_stable(message) + m.split()[1]
        people = [p for p in trailer_people(m.split()[0]) if not (embargo and is_stable(p))]
        people = uniq(people, me, [project])
        every += people
        set_identity(m, sender, project)
        m.set('To', fold(uniq(to, me)))
        m.set('Cc', fold(uniq(cc + people, me, to)))
    cover = mails[0]
    set_identity(cover, sender, project, patch=False)
    cover.body = shortlog_author(cover.body, sender, project)
    for m in mails:
        # one line: b4 0.12 (Debian 12) cannot copy a folded Subject: into the mails it applies
        m.set('Subject', re.sub(r'\n\s+', ' ', m.raw('Subject')))
    cover.set('To', fold(uniq(to, me)))
    cover.set('Cc', fold(uniq(cc + [p for p in every if not is_stable(p)], me, to)))
    thread(mails, sender, t0)


def security_mail(fix_text, sender, project, sec, report, reproducer, t0):
    """The fix on its own for security@kernel.org: the commit message, then
    below "---" the report and the reproducer inline, then the diff."""
    m = Mail(fix_text)
    message, rest = m.split()
    dropped = [l for l in message.split('\n')
               if re.match(r'^Cc:', l, re.I) and not is_stable(l.split(':', 1)[1])]
    message = '\n'.join(l for l in message.split('\n') if l not in dropped)
    m.body = private_stable(message) + rest
    set_identity(m, sender, project)
    message, rest = m.split()
    notes = report.rstrip('\n') + '\n'
    if dropped:
        notes += ('\nLeft out here, as they name people or public lists that the series will go\n'
                  'to once the fix is public: %s\n' % '; '.join(l.split(':', 1)[1].strip() for l in dropped))
    path, code = reproducer
    name = os.path.basename(path)
    notes += ('\nReproducer: %s, %d lines.\nTo build it, in that directory of a kernel tree:\n'
              '  cc -o %s %s\n\n%s' % (path, code.count('\n'), os.path.splitext(name)[0], name, code))
    if not notes.endswith('\n'):
        notes += '\n'
    m.body = '%s---\n%s\n%s' % (message, notes, rest[len('---\n'):])
    m.set('Subject', '[PATCH] ' + m.summary())
    for key in ('In-Reply-To', 'References', 'Cc'):
        m.set(key, None)
    m.set('To', fold(sec['to']))
    m.set('Message-Id', '<%s.%d.security.git.%s>' % (m.commit()[:12] or 'fix', t0, addr_of(sender)))
    m.set('Date', rfc2822(t0))
    return m.text()


def reproducer_problem(path, code):
    if code is None:
        return 'the reproducer %s is not in the series tree' % path
    if DIFF_START.search(code):
        return 'the reproducer %s has a line git apply would take for a patch: %s' % (
            path, DIFF_START.search(code).group(0))
    return None


def mbox(texts):
    """One mbox of the mails, body lines starting with "From " escaped (mboxrd)."""
    out = []
    for t in texts:
        first, _, rest = t.partition('\n')
        rest = re.sub(r'^(>*From )', r'>\1', rest, flags=re.M)
        out.append(first + '\n' + rest.rstrip('\n') + '\n\n')
    return ''.join(out)


def cover_prose(body):
    """The cover letter's own text: up to the shortlog format-patch adds."""
    m = SHORTLOG.search(body)
    return body[:m.start()] if m else body


def phrase_in(phrase, text):
    return re.search(r'(?<!\w)%s(?!\w)' % re.escape(phrase), text, re.I) is not None


def read(path):
    with open(path, errors='replace') as f:
        return f.read()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)
