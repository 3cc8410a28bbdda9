from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from urbanmgmt.models import AuditEntry, Post

HEADER = "name,email,unit_code,department,role\n"


def write(tmp_path, body: str):
    path = tmp_path / "officers.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_officers_are_created_with_their_posts_and_invited(world, tmp_path):
    path = write(
        tmp_path,
        "Nguyễn Văn An,an@quan.vn,26905,,officer\n"
        "Lê Thị Bình,binh@quan.vn,765,QLDT,head\n"
        "Nguyễn Văn An,an@quan.vn,26908,,officer\n",
    )
    call_command("import_officers", str(path), "--send-invitations")
    an = get_user_model().objects.get(username="an@quan.vn")
    assert an.first_name == "Nguyễn Văn An"
    assert not an.has_usable_password()
    assert sorted(an.posts.values_list("unit__code", flat=True)) == ["26905", "26908"]
    binh = Post.objects.get(user__username="binh@quan.vn")
    assert (binh.role, binh.department.code) == ("head", "QLDT")
    assert AuditEntry.objects.filter(action="post.create").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["an@quan.vn", "binh@quan.vn"]


def test_one_bad_row_creates_nothing_and_every_error_names_its_line(world, tmp_path):
    path = write(
        tmp_path,
        "Nguyễn Văn An,an@quan.vn,26905,,officer\n"
        "Lê Thị Bình,binh@quan.vn,99999,,officer\n"
        "Trần Chí,not-an-email,26905,,officer\n"
        "Phạm Dũng,dung@quan.vn,765,XYZ,officer\n"
        "Võ Em,em@quan.vn,765,,mayor\n",
    )
    with pytest.raises(CommandError) as error:
        call_command("import_officers", str(path))
    message = str(error.value)
    assert "line 3: no unit has the code “99999”" in message
    assert "line 4: “not-an-email” is not an email address" in message
    assert "line 5: unit 765 has no department “XYZ”" in message
    assert "line 6: unknown role “mayor”" in message
    assert not get_user_model().objects.filter(username="an@quan.vn").exists()


def test_a_file_without_the_expected_columns_is_refused(world, tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text("name,mail\nAn,an@quan.vn\n", encoding="utf-8")
    with pytest.raises(CommandError, match="email, unit_code, department, role"):
        call_command("import_officers", str(path))
