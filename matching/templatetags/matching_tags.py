"""What pages of lower layers show about matching, without those layers importing it:
the project page's apply button state."""

from django import template

from matching.selectors.applications import application_for_student_project

register = template.Library()


@register.simple_tag(takes_context=True)
def my_application(context, project):
    """The logged-in student's application to ``project``, or None."""
    return application_for_student_project(user=context["request"].user, project=project)
