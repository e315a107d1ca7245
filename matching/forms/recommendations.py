"""Input checks for recommendations. Forms validate only; the services repeat the rules
that matter and do the writes."""

from __future__ import annotations

from django import forms

from accounts.models import User
from core.forms import BoundedModelMultipleChoiceField

from ..models import Recommendation, RecommendationRequest

R = Recommendation
WAIVE_CHOICES = [
    ("no", "No — I want to read it, and choose whether it shows on my record"),
    ("yes", "Yes, I waive my right to read it — it is shared only with employers I pick"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label: str, limit: int, *, rows: int = 3, required: bool = True, help_text: str = ""):
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
        error_messages={"required": f"{label} is required."},
    )


class RecommenderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or str(obj)


class RecommendationRequestForm(forms.Form):
    recommender = RecommenderChoice(
        label="Who do you ask?",
        queryset=User.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who to ask.",
            "invalid_choice": "Choose someone who worked with you on this engagement.",
        },
    )
    note = _text(
        "A personal note",
        RecommendationRequest.NOTE_MAX,
        required=False,
        help_text="Remind them of the work, or say what the recommendation is for.",
    )
    waive = forms.ChoiceField(
        label="Do you waive your right to read the recommendation?",
        choices=WAIVE_CHOICES,
        widget=forms.RadioSelect,
        help_text="Some employers give more weight to a confidential letter. You cannot "
        "change this choice later.",
        error_messages={"required": "Choose whether you waive your right to read it."},
    )

    def __init__(self, *args, recommenders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if recommenders is not None:
            self.fields["recommender"].queryset = recommenders

    @property
    def waived(self) -> bool:
        return self.cleaned_data["waive"] == "yes"


class RecommendationWriteForm(forms.Form):
    """The guided letter: how they know the student and for how long, the work and its
    measurable results, two or three strengths each with an example, whether they would
    work with the student again, and the letter itself."""

    relationship = forms.CharField(
        label="How do you know the student?",
        max_length=R.RELATIONSHIP_MAX,
        help_text="E.g. “I supervised their micro-internship on our marketing team.”",
        error_messages={"required": "Say how you know the student."},
    )
    known_for = forms.CharField(
        label="For how long?",
        max_length=R.KNOWN_FOR_MAX,
        help_text="E.g. “Four weeks in spring 2026”.",
        error_messages={"required": "Say for how long."},
    )
    work_done = _text("The work they did", R.WORK_MAX, rows=4)
    results = _text(
        "Its measurable results",
        R.WORK_MAX,
        rows=3,
        help_text="Numbers where you have them: “cut report time from 3 days to 4 hours”.",
    )
    would_work_again = forms.TypedChoiceField(
        label="Would you work with this student again?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Answer yes or no."},
    )
    letter = _text(
        "Your letter",
        R.LETTER_MAX,
        rows=10,
        help_text="In your own words. It is signed and verifiable as written.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(1, R.STRENGTHS_MAX + 1):
            # The shared field template marks a field that isn't required "(optional)".
            optional = index > R.STRENGTHS_MIN
            self.fields[f"strength_{index}"] = forms.CharField(
                label=f"Strength {index}",
                max_length=R.STRENGTH_MAX,
                required=not optional,
                error_messages={"required": f"Name strength {index}."},
            )
            self.fields[f"example_{index}"] = forms.CharField(
                label=f"An example of strength {index}",
                max_length=R.EXAMPLE_MAX,
                required=not optional,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": R.EXAMPLE_MAX}),
                error_messages={"required": f"Give an example of strength {index}."},
            )
        self.order_fields(
            [
                "relationship",
                "known_for",
                "work_done",
                "results",
                *(
                    name
                    for i in range(1, R.STRENGTHS_MAX + 1)
                    for name in (f"strength_{i}", f"example_{i}")
                ),
                "would_work_again",
                "letter",
            ]
        )

    def strength_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"strength_{i}"], self[f"example_{i}"]) for i in range(1, R.STRENGTHS_MAX + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        for index in range(R.STRENGTHS_MIN + 1, R.STRENGTHS_MAX + 1):
            strength = cleaned.get(f"strength_{index}")
            example = cleaned.get(f"example_{index}")
            if bool(strength) != bool(example):
                self.add_error(
                    f"example_{index}" if strength else f"strength_{index}",
                    "Give this strength and an example of it, or leave both empty.",
                )
        return cleaned

    def strengths(self) -> list[dict[str, str]]:
        return [
            {
                "strength": self.cleaned_data[f"strength_{i}"],
                "example": self.cleaned_data[f"example_{i}"],
            }
            for i in range(1, R.STRENGTHS_MAX + 1)
            if self.cleaned_data.get(f"strength_{i}")
        ]


class RecommendationDeclineForm(forms.Form):
    message = _text(
        "Your message to the student",
        2000,
        rows=4,
        required=False,
        help_text="Leave it as it is, or write your own.",
    )


class RecommendationRevokeForm(forms.Form):
    reason = _text(
        "Why are you withdrawing it?",
        2000,
        rows=3,
        help_text="The student is told. Verification will say it is no longer current.",
    )


class RecommendationVisibilityForm(forms.Form):
    show_on_record = forms.BooleanField(label="Show it on my public record", required=False)


class RecommendationChoices(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Recommendation) -> str:
        author = obj.author.get_full_name() or str(obj.author)
        waived = " (confidential)" if obj.waived else ""
        return f"{author}, {obj.organization.name} — {obj.engagement.project.title}{waived}"


class AttachRecommendationsForm(forms.Form):
    recommendations = RecommendationChoices(
        label="Recommendations sent with this application",
        queryset=Recommendation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose among your current recommendations."},
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["recommendations"].queryset = choices
