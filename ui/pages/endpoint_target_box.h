#pragma once
// The Run page's target: the in-process engine (empty endpoint) or an HTTP server the user runs
// (llama-server or `ternbench serve`): the latency workloads then run over HTTP.
#include <QGroupBox>

#include "app/core/benchmark_spec.h"

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace tbui {

class EndpointTargetBox : public QGroupBox {
    Q_OBJECT
public:
    explicit EndpointTargetBox(QWidget* parent = nullptr);
    void apply(bench::BenchmarkSpec& spec) const;   // endpoint, api, ignore_eos, byte tokens
    void set_from(const bench::BenchmarkSpec& spec);
    void set_endpoint(const QString& url);

signals:
    void changed();

private:
    QLineEdit* endpoint_ = nullptr;
    QComboBox* api_ = nullptr;
    QCheckBox* ignore_eos_ = nullptr;
    QCheckBox* forbid_bytes_ = nullptr;
};

}  // namespace tbui
