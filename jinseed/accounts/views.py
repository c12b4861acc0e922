from django.shortcuts import render


def locked_out(request):
    return render(request, "accounts/locked_out.html", status=429)
