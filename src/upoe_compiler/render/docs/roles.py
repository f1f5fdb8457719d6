"""A page per application role: what it may read, create, change, delete and call, across domains."""

from __future__ import annotations

from ... import ir
from ...vocabulary import COMMANDS, PLATFORM_ROLE
from .access import AccessReader, rule_applies
from .pages import Link, Phrase, RoleBucket, RoleDomain, RolePage, RoleTable, anchor, page_of
from .wording import owner_words

AUTHENTICATED = "authenticated"


def role_pages(model: ir.Model, domains: list[ir.DomainInfo], reader: AccessReader,
               roles: tuple[str, ...]) -> tuple[RolePage, ...]:
    """One page per application role, its domains in migration order (`domains`)."""
    declared = {role: (text.strip(), Link(d.title, page_of(d.name))) for d in domains for role, text in d.roles}
    faces = _function_faces(model)
    return tuple(_role_page(model, domains, reader, role, declared.get(role), faces) for role in roles)


def _role_page(model: ir.Model, domains: list[ir.DomainInfo], reader: AccessReader, role: str,
               declared: tuple[str, Link] | None, faces: list[ir.Function]) -> RolePage:
    sections = []
    for domain in domains:
        page = page_of(domain.name)
        reached, unreached = [], []
        for table in (t for t in model.of_type(ir.Table) if t.domain == domain.name):
            link = Link(table.name, f"{page}#{anchor('table', table.name)}")
            cells = tuple(reader.cell(table, command, role) for command in COMMANDS)
            if any(cell.reached for cell in cells):
                reached.append(RoleTable(link, page, cells))
            else:
                unreached.append(link)
        if reached or unreached:
            sections.append(RoleDomain(Link(domain.title, page), tuple(reached), tuple(unreached)))
    callable_faces = [f for f in faces if not f.callers or role in f.callers or role == PLATFORM_ROLE]
    description, declared_by = declared if declared else ("", None)
    return RolePage(
        role, description, declared_by, tuple(sections),
        tuple(_link("view", v.name, v.domain) for v in model.of_type(ir.View)
              if AUTHENTICATED in dict(v.grants)),
        tuple(_link("function", f.name, f.domain) for f in callable_faces if f.callers),
        tuple(_link("function", f.name, f.domain) for f in callable_faces if not f.callers),
        tuple(_link("function", f.name, f.domain) for f in faces if f not in callable_faces),
        tuple(_bucket(reader, bucket, role) for bucket in model.of_type(ir.Bucket)))


def _function_faces(model: ir.Model) -> list[ir.Function]:
    """The functions signed-in users may call through the API: public, executable by authenticated."""
    return sorted((f for f in model.of_type(ir.Function) if f.schema == "public" and AUTHENTICATED in f.execute_roles),
                  key=lambda f: f.name)


def _link(kind: str, name: str, domain: str) -> Link:
    return Link(name, f"{page_of(domain)}#{anchor(kind, name)}")


def _bucket(reader: AccessReader, bucket: ir.Bucket, role: str) -> RoleBucket:
    """Where the role may upload (the folders of which entity rows) and which files it may read
    (those whose path a row it can read stores), table by table of the bucket."""
    upload = _joined([phrases for store in bucket.stores if (phrases := _store_upload(reader, store, role))])
    by_folder = len({store.entity for store in bucket.stores}) > 1
    read = _joined([phrases for store in bucket.stores if (phrases := _store_read(reader, store, role, by_folder))])
    return RoleBucket(_link("bucket", bucket.name, bucket.domain), upload or (Phrase("no upload"),),
                      read or (Phrase("no file"),))


def _store_upload(reader: AccessReader, store: ir.BucketStore, role: str) -> tuple[Phrase, ...]:
    uploads = [rule for rule in store.upload if rule_applies(rule.roles, role)]
    if not uploads:
        return ()
    if any(rule.own is None for rule in uploads):
        return (Phrase(f"into the folder of any {store.entity} row of the community"),)
    owned = " or ".join(owner_words(reader.tables, store.entity, rule.own or "") for rule in uploads)
    return (Phrase(f"into the folders of {store.entity} {owned}"),)


def _store_read(reader: AccessReader, store: ir.BucketStore, role: str, by_folder: bool) -> tuple[Phrase, ...]:
    """The files a role reads through one table; `by_folder` when the bucket's tables file theirs
    under different entities, each opening only its own folders."""
    owner = reader.tables.get(store.table)
    cell = reader.cell(owner, "select", role) if owner is not None else None
    if cell is None or not cell.reached:
        return ()
    folder = f"in {store.entity} folders, " if by_folder else ""
    return (Phrase(f"{folder}files whose path {store.table}.{store.path_column} stores, in the {store.table} "
                   "rows it reads" + (": " if cell.conditions else "")),
            *[phrase for index, alternative in enumerate(cell.conditions)
              for phrase in ((Phrase(" or "),) if index else ()) + alternative])


def _joined(parts: list[tuple[Phrase, ...]]) -> tuple[Phrase, ...]:
    """The phrases of each table of a bucket, one after the other."""
    return tuple(phrase for index, part in enumerate(parts) for phrase in ((Phrase("; "),) if index else ()) + part)
