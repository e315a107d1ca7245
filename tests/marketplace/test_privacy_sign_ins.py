"""A student's linked university sign-ins in their data archive, and unlinked when the
account is deleted (the erased account is kept anonymized: a link left behind would sign
the university's subject in to it)."""

import pytest
from allauth.socialaccount.models import SocialAccount

from marketplace.privacy.archive import ARCHIVE_KINDS, archive_collect
from marketplace.privacy.erasure import student_account_delete
from tests.accounts.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_student():
    student = StudentFactory(email="ana@state.edu")
    SocialAccount.objects.create(
        user=student,
        provider="state-university",
        uid="ana-123",
        extra_data={"userinfo": {"email": "ana@state.edu", "major": "Geography"}},
    )
    other = StudentFactory()
    SocialAccount.objects.create(user=other, provider="state-university", uid="bo-456")
    return student


def test_the_archive_holds_the_sign_ins_and_what_was_released(linked_student):
    assert "sign_ins" in ARCHIVE_KINDS
    sign_ins = archive_collect(user=linked_student).documents["sign_ins"]
    assert [(s["provider"], s["subject"]) for s in sign_ins] == [("state-university", "ana-123")]
    assert sign_ins[0]["released"]["userinfo"]["major"] == "Geography"


def test_deleting_the_account_unlinks_its_sign_ins_only(linked_student):
    deletion = student_account_delete(user=linked_student, actor=linked_student)
    assert not SocialAccount.objects.filter(uid="ana-123").exists()
    assert SocialAccount.objects.filter(uid="bo-456").exists()
    assert deletion.summary["sign_ins_unlinked"] == 1
