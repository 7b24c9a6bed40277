#pragma once
// Settings page: database path, default threads, sampler interval. The theme follows the
// system (the charts pick light or dark from the palette).
#include <QWidget>

class QLineEdit;
class QSpinBox;

namespace tbui {

class AppContext;

class SettingsPage : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPage(AppContext* context, QWidget* parent = nullptr);

private:
    void apply_db_path();

    AppContext* context_;
    QLineEdit* db_path_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QSpinBox* sampler_ = nullptr;
};

}  // namespace tbui
