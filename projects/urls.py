from django.urls import path

from .views import discovery, employer, saved_searches

app_name = "projects"

urlpatterns = [
    # Discovery (public browsing; saving and recommendations for students). The project
    # page, /projects/<pk>/, is composed by matching: marketplace.urls routes it.
    path("", discovery.browse, name="browse"),
    path("<int:pk>/save/", discovery.project_save_toggle, name="save"),
    path("saved/", discovery.saved_list, name="saved"),
    path("for-you/", discovery.student_home, name="student-home"),
    # Saved searches (students): a daily digest of new matching projects
    path("searches/", saved_searches.saved_search_list, name="saved-search-list"),
    path(
        "searches/new/",
        saved_searches.saved_search_create_view,
        name="saved-search-create",
    ),
    path(
        "searches/<int:pk>/delete/",
        saved_searches.saved_search_delete_view,
        name="saved-search-delete",
    ),
    # Posting (employers); their project list and manage page are site-level routes
    path("new/", employer.project_create, name="create"),
    path("<int:pk>/edit/", employer.project_edit, name="edit"),
    path("<int:pk>/preview/", employer.project_preview, name="preview"),
    path("<int:pk>/publish/", employer.project_publish, name="publish"),
    path("<int:pk>/close/", employer.project_close, name="close"),
    path("<int:pk>/cancel/", employer.project_cancel, name="cancel"),
    path("<int:pk>/duplicate/", employer.project_duplicate, name="duplicate"),
    # Platform staff: publishing review of unverified organizations' projects
    path("review/", employer.review_queue, name="review-queue"),
    path("review/<int:pk>/approve/", employer.review_approve, name="review-approve"),
    path("review/<int:pk>/return/", employer.review_return, name="review-return"),
    path(
        "review/organizations/<int:pk>/verify/",
        employer.organization_verify_view,
        name="organization-verify",
    ),
]
